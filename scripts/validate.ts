/**
 * `make validate`: deploys and checks the whole stack on the best target available (a reachable
 * kube context, else kind, else local mode on the services from `make services-up`), with a live
 * step display and a report in .reports/validate.md and .json. See src/validate/main.ts.
 */
import { main } from '../src/validate/main.ts';

process.exit(await main());
