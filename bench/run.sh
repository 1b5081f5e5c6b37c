#!/usr/bin/env bash
# The side-by-side benchmark: raw copy, stock MirrorMaker 2 and Strait on the same machine and data.
#   bench/run.sh            the full benchmark (about an hour on 2 cores; see bench/README.md)
#   bench/run.sh --quick    small sizes, a few minutes
#   bench/run.sh --help     every option
# Builds what it needs (the main project as bin/strait builds it, and bench/), then writes bench/RESULTS.md.
# BENCH_SKIP_BUILD=1 skips the builds; BENCH_JAVA_OPTS sets the driver's JVM options. Every process
# (brokers, raw copy, MirrorMaker 2, Strait) runs the Java of JAVA_HOME, else java on PATH.
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
home="$(cd "$bench/.." && pwd)"
cd "$home"

for arg in "$@"; do
  case "$arg" in
    -h|--help) skip_build=1 ;;
  esac
done

mvn_opts=(-B -q -Dstyle.color=never)
if [ -z "${BENCH_SKIP_BUILD:-}" ] && [ -z "${skip_build:-}" ]; then
  echo "bench: building Strait (mvn package -DskipTests) and the benchmark..." >&2
  # Strait exactly as bin/strait builds and runs it from a source checkout (bin/strait builds when
  # its stamp is missing or older than the sources).
  rm -f "$home/target/.strait-built"
  "$home/bin/strait" --version >&2
  mvn "${mvn_opts[@]}" -f "$bench/pom.xml" compile >&2
  # The benchmark's classes as a jar: a JVM archives classes from jars only, so the raw copy can
  # be given a class-data archive or an AOT cache of its own (--raw-jvm-opts; bench/README.md).
  rm -f "$bench/target/strait-bench.jar"
  "${JAVA_HOME:+$JAVA_HOME/bin/}jar" cf "$bench/target/strait-bench.jar" -C "$bench/target/classes" .
fi
if [ ! -f "$home/target/classpath-runtime.txt" ] || [ ! -f "$bench/target/classpath.txt" ] \
   || [ ! -f "$bench/target/strait-bench.jar" ]; then
  echo "bench: nothing built yet; run without BENCH_SKIP_BUILD" >&2
  exit 2
fi

strait_cp="$home/target/classes:$(cat "$home/target/classpath-runtime.txt")"
bench_cp="$bench/target/strait-bench.jar:$(cat "$bench/target/classpath.txt")"
revision="$(git -C "$home" describe --always --dirty 2>/dev/null || echo unknown)"
command="bench/run.sh"
[ $# -gt 0 ] && command="$command$(printf ' %q' "$@")"

# shellcheck disable=SC2086
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" ${BENCH_JAVA_OPTS:--Xmx2g} -cp "$bench_cp" io.strait.bench.Bench \
  --strait-classpath "$strait_cp" --strait-home "$home" --command "$command" --revision "$revision" "$@"
