/** Both gateways speak Beijing time whatever the machine's zone is: the names the mock gateways use for shared/dates. */
import { parseRfc3339, parseShanghaiDateTime, shanghaiCompact, shanghaiDate, shanghaiDateTime, shanghaiRfc3339 } from '../../../shared/dates';

export { parseRfc3339, shanghaiCompact as compact, shanghaiDate as businessDate, shanghaiDateTime as dateTime, shanghaiRfc3339 as rfc3339 };
export { parseShanghaiDateTime as parseDateTime };

/** The instant a Beijing business date (`yyyy-MM-dd`) starts; undefined when it is not a real date. */
export function startOfDate(date: string): Date | undefined {
  return parseShanghaiDateTime(`${date} 00:00:00`);
}
