import { ServiceHub } from '../../../../components/ServiceHub';

/** New connections and changes to a supply (capacity, suspension, name transfer), with their stages and documents. */
export default function ApplicationsHome() {
  return <ServiceHub categories={['connection', 'change']} />;
}
