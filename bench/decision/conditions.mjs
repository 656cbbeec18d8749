// The three network/CPU conditions of issue 13, applied through the DevTools protocol the way
// DevTools' throttling does it: Network.emulateNetworkConditions (a latency added to every
// response, throughput limits) and Emulation.setCPUThrottlingRate. The figures are the plain
// ones the issue names (not DevTools' "adjusted" presets, which multiply the latency).
const mbps = (n) => (n * 1e6) / 8; // bytes per second

export const CONDITIONS = [
  { id: "none", label: "no throttling", network: null, cpu: 1 },
  { id: "fast", label: "40 ms + 10 Mbps + 4x CPU", network: { latency: 40, down: mbps(10), up: mbps(10) }, cpu: 4 },
  { id: "slow", label: "150 ms + 1.6 Mbps + 4x CPU", network: { latency: 150, down: mbps(1.6), up: mbps(0.75) }, cpu: 4 },
];

/** Applies `condition` to `page` (for every later navigation of it); returns the CDP session. */
export async function throttle(page, condition) {
  const cdp = await page.context().newCDPSession(page);
  if (condition.network) {
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: condition.network.latency,
      downloadThroughput: condition.network.down,
      uploadThroughput: condition.network.up,
    });
  }
  if (condition.cpu !== 1) await cdp.send("Emulation.setCPUThrottlingRate", { rate: condition.cpu });
  return cdp;
}
