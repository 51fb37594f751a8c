import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../../emulator";
import { hashSecret } from "../../emulator/store";
import { asUser, call, gatewayAccessToken, serviceAccountToken, stateOnDisk } from "./support";

let dataDir: string;
beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "emulator-persistence-"));
});
afterEach(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe("persistence", () => {
  it("keeps items, API keys, gateway tokens and credentials across a stop and a new start on the same data dir", async () => {
    const first = await startEmulator({ dataDir });
    const alice = asUser(first.info, "alice");
    const item = (await alice.put({ type: "bearer_tokens", key: "SURVIVES", value: "still-here" })).body;
    const apiKey = (await call("POST", `${first.info.apiUrl}/credentials/api-key`, { token: first.info.token, json: { name: "persisted" } })).body;
    const gatewayToken = await gatewayAccessToken(first.info);
    const created = await call("POST", `${first.info.aigatewayUrl}/v1/gateways/persist-gw/tokens`, { token: gatewayToken, json: { name: "kept" } });
    expect(created.status).toBe(201);
    const accessToken = await serviceAccountToken(first.info);
    await first.stop();

    const second = await startEmulator({ dataDir });
    try {
      // The same seeded credentials: clients configured before the restart keep working.
      expect(second.info.users).toEqual(first.info.users);
      expect(second.info.serviceAccount).toEqual(first.info.serviceAccount);
      expect(second.info.adminToken).toBe(first.info.adminToken);

      const read = await asUser(second.info, "alice").get(item.id);
      expect(read.status).toBe(200);
      expect(read.body.value).toBe("still-here");
      const keys = await call("GET", `${second.info.apiUrl}/credentials/api-key`, { token: second.info.token });
      expect(keys.body.results).toEqual([{ name: "persisted", id: apiKey.id, created_at: apiKey.created_at }]);
      const tokens = await call("GET", `${second.info.aigatewayUrl}/v1/gateways/persist-gw/tokens`, { token: await gatewayAccessToken(second.info) });
      expect(tokens.body.results.map((t: { id: string }) => t.id)).toEqual([created.body.id]);
      // Access tokens issued before the restart are still honoured until they expire.
      expect((await call("GET", `${second.info.apiUrl}/user_vault`, { token: accessToken })).status).toBe(200);
      // New items continue the id sequence instead of reusing ids.
      const next = await asUser(second.info, "alice").put({ type: "env_vars", key: "AFTER", value: "x" });
      expect(next.body.id).toBeGreaterThan(item.id);
    } finally {
      await second.stop();
    }
  });

  it("restart() reopens the same ports and state", async () => {
    const emu = await startEmulator({ dataDir });
    try {
      const item = (await asUser(emu.info, "bob").put({ type: "ssh_keys", key: "RESTARTED", value: "ssh-ed25519 AAAA" })).body;
      await emu.restart();
      const read = await asUser(emu.info, "bob").get(item.id);
      expect(read.status).toBe(200);
      expect(read.body.value).toBe("ssh-ed25519 AAAA");
    } finally {
      await emu.stop();
    }
  });

  it("has every acknowledged write on disk: the files as a crash right after the acknowledgements leaves them hold them all, and no temporary file is left behind", async () => {
    const emu = await startEmulator({ dataDir });
    try {
      const writes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => asUser(emu.info, "alice").put({ type: "env_vars", key: `CONCURRENT_${i}`, value: `v${i}` })),
      );
      expect(writes.every((w) => w.status === 200)).toBe(true);
      // Read the files right after the acknowledgements, while the emulator still runs.
      expect((await fs.readdir(dataDir)).filter((f) => f !== "state.json" && f !== "state.json.journal")).toEqual([]);
      const keys = (await stateOnDisk(dataDir)).vault.map((item) => item.key);
      for (let i = 0; i < 20; i++) expect(keys).toContain(`CONCURRENT_${i}`);
    } finally {
      await emu.stop();
    }
    // A stop folds the journal into state.json.
    expect(await fs.readdir(dataDir)).toEqual(["state.json"]);
    const keys = JSON.parse(await fs.readFile(path.join(dataDir, "state.json"), "utf8")).vault.map((item: { key: string }) => item.key);
    for (let i = 0; i < 20; i++) expect(keys).toContain(`CONCURRENT_${i}`);
  });

  it("keeps secrets of API keys and gateway tokens only as hashes on disk", async () => {
    const emu = await startEmulator({ dataDir });
    try {
      const apiKey = (await call("POST", `${emu.info.apiUrl}/credentials/api-key`, { token: emu.info.token, json: { name: "hashed" } })).body;
      const gateway = await call("POST", `${emu.info.aigatewayUrl}/v1/gateways/hash-gw/tokens`, { token: await gatewayAccessToken(emu.info), json: { name: "t" } });
      const files = await fs.readdir(dataDir);
      expect(files).toContain("state.json.journal"); // the two writes, not yet folded into state.json
      const onDisk = (await Promise.all(files.map((f) => fs.readFile(path.join(dataDir, f), "utf8")))).join("\n");
      expect(onDisk).toContain(hashSecret(apiKey.key));
      expect(onDisk).not.toContain(apiKey.key);
      expect(onDisk).not.toContain(gateway.body.token);
    } finally {
      await emu.stop();
    }
  });

  it("refuses to start on a corrupt state file instead of overwriting it", async () => {
    await fs.writeFile(path.join(dataDir, "state.json"), "{ truncated");
    await expect(startEmulator({ dataDir })).rejects.toThrow(/not valid JSON/);
    expect(await fs.readFile(path.join(dataDir, "state.json"), "utf8")).toBe("{ truncated");
  });

  it("creates its data dir readable by the owner only (0700) and state.json and its journal as 0600: they hold every tenant's secrets", async () => {
    const fresh = path.join(dataDir, "nested", "emulator-data");
    const emu = await startEmulator({ dataDir: fresh });
    try {
      await asUser(emu.info, "alice").put({ type: "env_vars", key: "MODES", value: "x" });
      expect((await fs.stat(fresh)).mode & 0o777).toBe(0o700);
      expect((await fs.stat(path.join(fresh, "state.json"))).mode & 0o777).toBe(0o600);
      expect((await fs.stat(path.join(fresh, "state.json.journal"))).mode & 0o777).toBe(0o600);
    } finally {
      await emu.stop();
    }
  });

  it("tightens an empty data dir it is given, and a state.json left readable by others, to the owner only", async () => {
    await fs.chmod(dataDir, 0o755);
    const first = await startEmulator({ dataDir });
    await first.stop();
    await fs.chmod(path.join(dataDir, "state.json"), 0o644);
    const second = await startEmulator({ dataDir });
    try {
      expect((await fs.stat(dataDir)).mode & 0o777).toBe(0o700);
      expect((await fs.stat(path.join(dataDir, "state.json"))).mode & 0o777).toBe(0o600);
    } finally {
      await second.stop();
    }
  });

  it("leaves the mode of a given folder that holds other files alone", async () => {
    await fs.writeFile(path.join(dataDir, "notes.txt"), "not the emulator's");
    await fs.chmod(dataDir, 0o755);
    const emu = await startEmulator({ dataDir });
    try {
      expect((await fs.stat(dataDir)).mode & 0o777).toBe(0o755);
      expect((await fs.stat(path.join(dataDir, "state.json"))).mode & 0o777).toBe(0o600);
    } finally {
      await emu.stop();
    }
  });

  it("removes the temporary data dir it made itself on stop", async () => {
    const emu = await startEmulator();
    const made = emu.info.dataDir;
    await expect(fs.stat(path.join(made, "state.json"))).resolves.toBeTruthy();
    await emu.stop();
    await expect(fs.stat(made)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
