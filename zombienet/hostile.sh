#!/usr/bin/env bash
# zombienet `run` script (0001-network.zndsl): the hostile contracts against alice, the
# attacks of the runtime's hostile test sent as transactions, each followed by an
# ordinary transfer (client/tests/node_hostile.rs, which says what it checks).
#
#   alice: run ./hostile.sh with "ws://127.0.0.1:9944" within 900 seconds
#
# The test binary comes from the environment (scripts/network-test.sh builds it); its
# output (outcomes, the heaviest block, the nodes' memory) also goes to a file, as
# zombienet keeps the output of a run only when it fails:
#   PVM_HOSTILE_TEST  the node_hostile test executable (required)
#   PVM_HOSTILE_LOG   where the output goes too (default: nowhere else)
set -euo pipefail
test_binary=${PVM_HOSTILE_TEST:?set PVM_HOSTILE_TEST to the node_hostile test executable}
PVM_NODE_URL=${1:?a node URL} "$test_binary" --ignored --exact hostile_contracts_do_not_stop_a_node --nocapture 2>&1 |
    tee "${PVM_HOSTILE_LOG:-/dev/null}"
