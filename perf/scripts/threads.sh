#!/usr/bin/env bash
# Per-thread-group CPU ticks and context switches of a running server over one command:
#   perf/scripts/threads.sh SERVER_PID COMMAND...   e.g. perf/scripts/threads.sh $PID lineload -p 7070 -c 50 -P 16 -d 4 -m "a 88\n" -r bytes:1
P=$1; shift
snap() { for t in /proc/$P/task/*; do n=$(cat $t/comm); s=($(cat $t/stat | sed 's/.*) //')); v=$(awk '/^voluntary/{print $2}' $t/status); nv=$(awk '/^nonvoluntary/{print $2}' $t/status); echo "$n ${s[11]} ${s[12]} $v $nv"; done | awk '{k=$1; sub(/-[0-9]+$/,"-N",k); cpu[k]+=$2+$3; vcs[k]+=$4; nvcs[k]+=$5} END {for (k in cpu) print k, cpu[k], vcs[k], nvcs[k]}' | sort; }
snap > /tmp/t0; "$@"; snap > /tmp/t1
join /tmp/t0 /tmp/t1 | awk '{d=$5-$2; if (d>0 || $6-$3>100) printf "%-28s cpu %4d ticks  vol-cs %8d  invol-cs %7d\n", $1, d, $6-$3, $7-$4}' | sort -k3 -n -r
