/** Resources of the AI gateway (`aigateway:` config namespace). */
export { AuthToken, type AuthTokenArgs } from "./resources";
