#!/bin/sh
# Warewulf wwinit: disk provisioning hooks (spec 8.1 step 3, 7.3). Runs every
# script in $PREFIX/warewulf/wwinit.d in `ls -1` order with sh, before the
# root is set up. PREFIX is set by the two-stage (dracut) boot.
PREFIX=${PREFIX:-}
dir="$PREFIX/warewulf/wwinit.d"
[ -d "$dir" ] || exit 0
if [ -f "$PREFIX/warewulf/config" ]; then
    set -a
    . "$PREFIX/warewulf/config"
    set +a
fi
for s in $(ls -1 "$dir"); do
    [ -f "$dir/$s" ] || continue
    echo "wwinit: running wwinit.d/$s"
    PREFIX="$PREFIX" sh "$dir/$s" || echo "wwinit: wwinit.d/$s exited with status $?"
done
exit 0
