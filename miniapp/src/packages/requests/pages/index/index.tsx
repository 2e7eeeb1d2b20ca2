import { ServiceHub } from '../../../../components/ServiceHub';

/** The service hall: every request type customers can file online. */
export default function RequestsHome() {
  return <ServiceHub />;
}
