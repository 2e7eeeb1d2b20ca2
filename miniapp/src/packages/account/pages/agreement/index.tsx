import { LegalText } from '../../components/LegalText';
import { AGREEMENT } from '../../legal';

export default function UserAgreement() {
  return <LegalText document={AGREEMENT} />;
}
