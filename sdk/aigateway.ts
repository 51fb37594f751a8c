/** Resources of the AI gateway (`aigateway:` config namespace). */
export { AuthToken } from "./resources";
export type { AuthTokenArgs } from "./args";
