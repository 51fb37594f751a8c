/**
 * Entry point the Pulumi engine runs (`policy/package.json` → `dist/policy/index.js`): loading
 * it starts serving the pack. Import `./pack` instead to get the policies without serving them.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, tokenHygienePackArgs } from "./pack";

new PolicyPack(PACK_NAME, tokenHygienePackArgs());
