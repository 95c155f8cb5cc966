// zombienet js-script: waits until the node's best or finalized block number has gone up
// by at least N from what it is when the script starts, and returns the increase. It
// gives up (throws) after MAX seconds (default 600; zombienet's `within` fails the
// assertion earlier, this only ends the loop).
//
//   <node>: js-script ./advances.js with "finalized,3" return is at least 3 within 120 seconds
//   args: best|finalized, N[, MAX]
//
// Only plain JSON-RPC (chain_getFinalizedHead, chain_getHeader), no runtime metadata.

async function blockNumber(provider, which) {
  const hash = which === "finalized" ? await provider.send("chain_getFinalizedHead", []) : undefined;
  const header = await provider.send("chain_getHeader", hash ? [hash] : []);
  return parseInt(header.number, 16);
}

async function run(nodeName, networkInfo, args) {
  const which = args[0] || "best";
  const by = parseInt(args[1] || "1", 10);
  const deadline = Date.now() + 1000 * parseInt(args[2] || "600", 10);
  if (which !== "best" && which !== "finalized") {
    throw new Error(`advances.js: the first argument must be "best" or "finalized", not "${which}"`);
  }
  const { wsUri } = networkInfo.nodesByName[nodeName];
  const provider = new zombie.WsProvider(wsUri);
  await provider.isReady;
  try {
    const start = await blockNumber(provider, which);
    console.log(`      ${nodeName}: ${which} block #${start}, waiting for #${start + by}`);
    for (;;) {
      const now = await blockNumber(provider, which);
      if (now >= start + by) {
        console.log(`      ${nodeName}: ${which} block #${now}`);
        return now - start;
      }
      if (Date.now() > deadline) {
        throw new Error(`${nodeName}: ${which} block still #${now}, expected #${start + by}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    await provider.disconnect();
  }
}

module.exports = { run };
