#!/usr/bin/env bash
# Records the main carclass commands as a user sees them in a real 80-column terminal: each command runs in its own
# tmux pane of 80x50 (else in a pseudo-terminal from util-linux `script`, sized with stty), against a private in-memory
# Azurite, on the sample photos plus three awkward files (a long name, a name in CJK wide characters, a file that is no
# image). Writes one transcript, by default docs/terminal-80-columns.txt; the end-to-end test TerminalRecordingTests
# runs this script and checks that every line fits.
#
# Usage: scripts/record-80-columns.sh [--out FILE] [--columns N] [--azurite-port PORT] [--terminal tmux|script]
#   --out FILE          where the transcript goes (default: docs/terminal-80-columns.txt)
#   --terminal T        tmux (the default when installed) or script
#   --columns N         the terminal's width (default 80)
#   --azurite-port P    blob port of the private Azurite; queue and table are P+1, P+2 (default 10130)
# Needs the CLI built (dotnet build src/CarClassifier.Cli/CarClassifier.Cli.csproj -c Release; CONFIGURATION=Debug
# for a Debug build), Azurite (scripts/azurite.sh install) and tmux or script (apt-get install tmux).
# Exit: 0 recorded, 2 usage or something missing, 3 neither tmux nor script, 1 a command could not be recorded.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

out="$root/docs/terminal-80-columns.txt"
columns=80
rows=50
port="${RECORD_AZURITE_PORT:-10130}"
terminal=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$(realpath -m "${2:?--out needs a file}")"; shift 2 ;;
    --columns) columns="${2:?--columns needs a number}"; shift 2 ;;
    --azurite-port) port="${2:?--azurite-port needs a port}"; shift 2 ;;
    --terminal) terminal="${2:?--terminal needs tmux or script}"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "Unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $columns =~ ^[0-9]+$ && $columns -ge 40 ]] || { echo "--columns must be a number of at least 40: $columns" >&2; exit 2; }
[[ $port =~ ^[0-9]+$ ]] || { echo "--azurite-port must be a port number: $port" >&2; exit 2; }

configuration="${CONFIGURATION:-Release}"
dll="$root/src/CarClassifier.Cli/bin/$configuration/net10.0/carclass.dll"
[[ -f $dll ]] || { echo "Build the CLI first: dotnet build src/CarClassifier.Cli/CarClassifier.Cli.csproj -c $configuration ($dll is missing)" >&2; exit 2; }
azurite="$root/tools/azurite/node_modules/.bin/azurite"
[[ -x $azurite ]] || { echo "Azurite is not installed: run scripts/azurite.sh install" >&2; exit 2; }
if [[ -n $terminal ]]; then
  [[ $terminal == tmux || $terminal == script ]] || { echo "--terminal must be tmux or script: $terminal" >&2; exit 2; }
  command -v "$terminal" >/dev/null 2>&1 || { echo "$terminal is not installed." >&2; exit 3; }
elif command -v tmux >/dev/null 2>&1; then
  terminal=tmux
elif command -v script >/dev/null 2>&1; then
  terminal=script
else
  echo "Neither tmux nor script is installed: nothing can play an ${columns}-column terminal (apt-get install tmux)." >&2
  exit 3
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/carclass-record-XXXXXX")"
socket="carclass-record-$$"
azurite_pid=""
cleanup() {
  if [[ $terminal == tmux ]]; then tmux -L "$socket" kill-server >/dev/null 2>&1 || true; fi
  if [[ -n $azurite_pid ]]; then kill "$azurite_pid" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A private, in-memory Azurite: the recording never touches a developer's data, and starts from nothing every time.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$port" $((port + 1)) $((port + 2)); do
  if listening "$p"; then echo "Port $p is taken: pass --azurite-port with three free ports." >&2; exit 2; fi
done
"$azurite" --silent --inMemoryPersistence --skipApiVersionCheck --loose \
  --blobHost 127.0.0.1 --blobPort "$port" --queueHost 127.0.0.1 --queuePort $((port + 1)) \
  --tableHost 127.0.0.1 --tablePort $((port + 2)) >"$work/azurite.log" 2>&1 &
azurite_pid=$!
for _ in $(seq 1 240); do
  listening "$port" && listening $((port + 1)) && listening $((port + 2)) && break
  kill -0 "$azurite_pid" 2>/dev/null || { echo "Azurite exited: $(cat "$work/azurite.log")" >&2; exit 1; }
  sleep 0.25
done
listening $((port + 2)) || { echo "Azurite did not listen on $port-$((port + 2)) within 60 s." >&2; exit 1; }

# The photos: the repository's samples, plus the files that used to break the layout.
mkdir -p "$work/photos"
find "$root/samples/images" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) -exec cp {} "$work/photos/" \;
cp "$root/samples/images/car_triton_car.jpg" "$work/photos/a-rather-long-file-name-straight-from-a-phone-camera-IMG_20261130_081512.jpg"
cp "$root/samples/images/car_mlnet_Camaro.jpg" "$work/photos/駐車場の赤いスポーツカー.jpg"
printf 'Shopping list: eggs, milk. Not a photo at all.\n' >"$work/photos/notes-saved-as.jpg"

# `carclass` in the panes: the built CLI on the private Azurite (AZURITE_*_PORT, as after scripts/azurite.sh start)
# with a private model cache. COLUMNS and LINES are cleared: the terminal's own size is the one under test.
cat >"$work/carclass" <<EOF
#!/usr/bin/env bash
unset COLUMNS LINES AzureWebJobsStorage
export AZURITE_BLOB_PORT=$port AZURITE_QUEUE_PORT=$((port + 1)) AZURITE_TABLE_PORT=$((port + 2))
export Classifier__ModelCacheDirectory="$work/model-cache" DOTNET_NOLOGO=1
[[ -n "\${RECORD_COLUMNS:-}" ]] && export COLUMNS="\$RECORD_COLUMNS"
exec dotnet "$dll" "\$@"
EOF
chmod +x "$work/carclass"

# The pane stays after its command ends (to be captured), with room for every line the command printed.
printf 'set-option -g remain-on-exit on\nset-option -g history-limit 20000\n' >"$work/tmux.conf"
if [[ $terminal == tmux ]]; then
  # An idle session keeps the private server up between commands (it exits with its last session).
  tmux -L "$socket" -f "$work/tmux.conf" new-session -d -s keep -x "$columns" -y "$rows" "sleep 86400"
fi

# One command in a fresh pane of $columns x $rows; prints what the pane shows (scrollback included), then the exit code.
record_tmux() {
  local name="c$1"; shift
  tmux -L "$socket" -f "$work/tmux.conf" new-session -d -s "$name" -x "$columns" -y "$rows" -c "$work" "$*; echo \$? >$work/exit-$name"
  local deadline=$((SECONDS + 600))
  until [[ "$(tmux -L "$socket" display-message -p -t "$name" '#{pane_dead}' 2>/dev/null)" == 1 ]]; do
    ((SECONDS < deadline)) || { echo "Timed out after 600 s: $*" >&2; return 1; }
    sleep 0.2
  done
  # -J joins lines the terminal wrapped, so a line too long for the pane shows as one long line, not as two that fit.
  tmux -L "$socket" capture-pane -p -J -S - -E - -t "$name" | sed -e 's/[[:space:]]*$//' -e '/^Pane is dead/d' | cat -s
  echo "[exit $(cat "$work/exit-$name" 2>/dev/null || echo '?')]"
  tmux -L "$socket" kill-session -t "$name"
}

# The same with `script`: a pty of $columns x $rows. Progress bars redraw in place, so what is kept of each line is
# what follows its last carriage return, with the escape sequences removed.
record_script() {
  shift
  local status=0
  (cd "$work" && TERM=xterm-256color script -qec "stty cols $columns rows $rows; $*" /dev/null) >"$work/raw" 2>&1 </dev/null || status=$?
  sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][A-Z0-9]//g' -e 's/\x1b[=>]//g' "$work/raw" \
    | awk '{ sub(/\r+$/, ""); n = split($0, part, "\r"); print part[n] }' | sed -e 's/[[:space:]]*$//' | cat -s
  echo "[exit $status]"
}

commands=(
  "carclass --help"
  "carclass model info color-tiny"
  "carclass upload photos --prefix demo/"
  "carclass run --model color-tiny --images photos --prefix demo/"
  "carclass watch --prefix demo/ --timeout 120"
  "COLUMNS=200 carclass results --prefix demo/"
  "carclass results --prefix demo/ --summary"
  "carclass batches"
  "carclass poison list"
)

mkdir -p "$(dirname "$out")"
{
  echo "carclass in a terminal of ${columns}x${rows} (${terminal}), on samples/images plus"
  echo "a long name, a CJK name and a text file saved as .jpg."
  echo "Regenerate: scripts/record-80-columns.sh (times and ids change, the layout not)"
} >"$out"
n=0
for command in "${commands[@]}"; do
  n=$((n + 1))
  # "COLUMNS=200 carclass ..." runs with COLUMNS=200 in the environment: the terminal's 80 columns must still win.
  line="${command/#COLUMNS=200 carclass/RECORD_COLUMNS=200 $work/carclass}"
  line="${line/#carclass/$work/carclass}"
  {
    echo
    echo "\$ $command"
  } >>"$out"
  "record_$terminal" "$n" "$line" >>"$out"
done
echo "Recorded ${#commands[@]} commands at $columns columns with $terminal: $out"
