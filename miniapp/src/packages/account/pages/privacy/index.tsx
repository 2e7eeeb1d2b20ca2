import { LegalText } from '../../components/LegalText';
import { PRIVACY } from '../../legal';

export default function PrivacyPolicy() {
  return <LegalText document={PRIVACY} />;
}
