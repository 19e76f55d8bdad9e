#!/usr/bin/env bash
# Installs (pinned, from tools/azurite/package-lock.json) and manages the Azurite storage emulator.
#   scripts/azurite.sh install | start | stop | status
# Ports: Blob 10000, Queue 10001, Table 10002 on 127.0.0.1 (override with AZURITE_*_PORT).
# Data lives in .azurite/ (git-ignored); its output in .azurite/stdout.log.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool="$root/tools/azurite"
data="${AZURITE_LOCATION:-$root/.azurite}"
blob_port="${AZURITE_BLOB_PORT:-10000}"
queue_port="${AZURITE_QUEUE_PORT:-10001}"
table_port="${AZURITE_TABLE_PORT:-10002}"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "Node.js and npm are needed for Azurite; installing them with apt-get." >&2
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  fi
  if [ ! -x "$tool/node_modules/.bin/azurite" ]; then
    echo "Installing Azurite 3.37.0 (pinned) into tools/azurite ..." >&2
    (cd "$tool" && npm ci --no-audit --no-fund --loglevel=error) >&2
  fi
}

start() {
  if listening "$blob_port" && listening "$queue_port" && listening "$table_port"; then
    echo "Azurite already listening on 127.0.0.1:$blob_port/$queue_port/$table_port." >&2
    return 0
  fi
  install
  mkdir -p "$data"
  echo "Starting Azurite (data in $data) ..." >&2
  nohup "$tool/node_modules/.bin/azurite" --silent --skipApiVersionCheck --loose \
    --location "$data" \
    --blobHost 127.0.0.1 --blobPort "$blob_port" \
    --queueHost 127.0.0.1 --queuePort "$queue_port" \
    --tableHost 127.0.0.1 --tablePort "$table_port" >"$data/stdout.log" 2>&1 &
  echo $! >"$data/azurite.pid"
  for _ in $(seq 1 60); do
    if listening "$blob_port" && listening "$queue_port" && listening "$table_port"; then
      echo "Azurite is up." >&2
      return 0
    fi
    sleep 0.5
  done
  echo "Azurite did not start; see $data/stdout.log" >&2
  cat "$data/stdout.log" >&2 || true
  return 1
}

# Stops the Azurite this script started and waits until its process has exited and its ports are free (Node can take
# a minute to close idle keep-alive connections after SIGTERM): "stopped" means stopped, so a `start` right after, or
# removing .azurite/, is safe. After 15 s it is killed outright.
stop() {
  [ -f "$data/azurite.pid" ] || { echo "No Azurite started by this script is running (no $data/azurite.pid)." >&2; return 0; }
  local pid
  pid="$(cat "$data/azurite.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "Azurite (pid $pid) did not exit within 15 s of SIGTERM; killing it." >&2
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
  fi
  rm -f "$data/azurite.pid"
  echo "Azurite stopped (pid $pid has exited)." >&2
}

status() {
  if listening "$blob_port"; then echo "running"; else echo "stopped"; return 1; fi
}

case "${1:-start}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
