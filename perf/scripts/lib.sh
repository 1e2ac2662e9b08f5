# perf/scripts/lib.sh - sourced by the scripts in perf/scripts: the helpers they share.

# Whether something accepts connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits up to TENTHS tenths of a second (default 300) for 127.0.0.1:PORT; with PID, gives up as
# soon as that process has exited. Returns 1 when the port never opened.
wait_for_port() { # PORT [TENTHS] [PID]
  local port=$1 tenths=${2:-300} pid=${3:-}
  for _ in $(seq "$tenths"); do
    port_open "$port" && return 0
    [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && return 1
    sleep 0.1
  done
  return 1
}

# User + system CPU of process PID so far, in clock ticks (all its threads).
cpu_ticks() { # PID
  awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat"
}
