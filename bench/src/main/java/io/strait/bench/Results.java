package io.strait.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Everything one benchmark run measured, for the report. */
final class Results {

    /**
     * What had been spent at one moment, or between two: CPU seconds (user + system) of the
     * replicator and of both brokers, and the request counters of the source and target brokers
     * (empty where JMX gave nothing).
     */
    record Usage(double replicatorCpu, double brokerCpu, Optional<BrokerMetrics.Counts> source,
                 Optional<BrokerMetrics.Counts> target) {

        Usage minus(Usage earlier) {
            return new Usage(replicatorCpu - earlier.replicatorCpu, brokerCpu - earlier.brokerCpu,
                    minus(source, earlier.source), minus(target, earlier.target));
        }

        private static Optional<BrokerMetrics.Counts> minus(Optional<BrokerMetrics.Counts> later,
                                                            Optional<BrokerMetrics.Counts> earlier) {
            return later.isPresent() && earlier.isPresent() ? Optional.of(later.get().minus(earlier.get())) : Optional.empty();
        }
    }

    /** One replicator copying the loaded source topic once. Times in seconds since launch. */
    record CopyRun(Variant variant, int partitions, int round, String failure, Verification verification,
                   double first, long recordsAtFirst, double last, long records, long bytes, long peakRssKib,
                   double cpuSeconds, double brokerCpuSeconds, Usage copyPhase, String note) {

        boolean ok() {
            return failure == null && verification != null && verification.ok();
        }

        String why() {
            return failure != null ? failure : verification == null ? "not verified" : verification.summary();
        }

        /**
         * MB/s (10^6 bytes of key, value and headers) between the first and the last observation:
         * the records that arrived between them, over the time between them.
         */
        double copyMBps() {
            if (last <= first) {
                return Double.NaN;
            }
            return (records - recordsAtFirst) * (bytes / (double) records) / (last - first) / 1e6;
        }

        /** Records that arrived in the copy phase: between the first and the last observation. */
        private long copyPhaseRecords() {
            return copyPhase == null ? 0 : records - recordsAtFirst;
        }

        private double perMillion(double amount) {
            long n = copyPhaseRecords();
            return n <= 0 ? Double.NaN : amount / n * 1e6;
        }

        /** The replicator's CPU seconds per 10^6 records copied in the copy phase. */
        double cpuPerMillion() {
            return copyPhase == null ? Double.NaN : perMillion(copyPhase.replicatorCpu());
        }

        /** Both brokers' CPU seconds per 10^6 records copied in the copy phase. */
        double brokerCpuPerMillion() {
            return copyPhase == null ? Double.NaN : perMillion(copyPhase.brokerCpu());
        }

        /** Produce requests the target broker handled per 10^6 records copied in the copy phase. */
        double produceRequestsPerMillion() {
            return copyPhase == null ? Double.NaN
                    : copyPhase.target().map(c -> perMillion(c.produceRequests())).orElse(Double.NaN);
        }

        /** Bytes of record batches the target appended per Produce request, in the copy phase. */
        double bytesPerProduceRequest() {
            return copyPhase == null ? Double.NaN : copyPhase.target()
                    .map(c -> c.produceRequests() <= 0 ? Double.NaN : c.bytesIn() / (double) c.produceRequests())
                    .orElse(Double.NaN);
        }

        /**
         * Produce requests the source broker handled per 10^6 records copied in the copy phase: a
         * replicator's own writes to the source (MirrorMaker 2's offset syncs); none for the raw copy.
         */
        double sourceProduceRequestsPerMillion() {
            return copyPhase == null ? Double.NaN
                    : copyPhase.source().map(c -> perMillion(c.produceRequests())).orElse(Double.NaN);
        }

        /** Records the source broker appended per 10^6 records copied in the copy phase (see above). */
        double sourceRecordsPerMillion() {
            return copyPhase == null ? Double.NaN
                    : copyPhase.source().map(c -> perMillion(c.messagesIn())).orElse(Double.NaN);
        }

        /** Fetch requests the source broker handled per 10^6 records copied in the copy phase. */
        double fetchRequestsPerMillion() {
            return copyPhase == null ? Double.NaN
                    : copyPhase.source().map(c -> perMillion(c.fetchRequests())).orElse(Double.NaN);
        }

        /** Bytes of record batches the source sent per Fetch request, in the copy phase. */
        double bytesPerFetchRequest() {
            return copyPhase == null ? Double.NaN : copyPhase.source()
                    .map(c -> c.fetchRequests() <= 0 ? Double.NaN : c.bytesOut() / (double) c.fetchRequests())
                    .orElse(Double.NaN);
        }
    }

    record LatencyResult(Variant variant, int round, String failure, Verification verification, LatencyRun.Result latency,
                         long peakRssKib) {
        boolean ok() {
            return failure == null && verification != null && verification.ok();
        }

        String why() {
            return failure != null ? failure : verification == null ? "not verified" : verification.summary();
        }
    }

    record LinksRun(int links, String failure, List<Verification> verifications, double allFirst, double allLast,
                    long peakRssKib, long rssKib, double cpuSeconds, double brokerCpuSeconds, long records, String note) {

        /** Strait's CPU seconds per 10^6 records copied, its start included. */
        double cpuPerMillion() {
            return records <= 0 ? Double.NaN : cpuSeconds / records * 1e6;
        }

        /** Both brokers' CPU seconds per 10^6 records copied, the daemon's start included. */
        double brokerCpuPerMillion() {
            return records <= 0 ? Double.NaN : brokerCpuSeconds / records * 1e6;
        }

        boolean ok() {
            return failure == null && !verifications.isEmpty() && verifications.stream().allMatch(Verification::ok);
        }

        String why() {
            if (failure != null) {
                return failure;
            }
            return verifications.stream().filter(v -> !v.ok()).map(Verification::summary).findFirst().orElse("not verified");
        }
    }

    /** How long a step of the run took: a throughput round, or loading and reading a source. */
    record Step(String what, double seconds) {
    }

    /**
     * Strait SIGKILLed mid-copy and started again (the crash section). Times in seconds: {@code first},
     * {@code killedAt} since the first launch; {@code resumedAfter}, {@code completeAfter} since the
     * second launch. {@code recordsAtKill}: the target's records at the read that triggered the kill;
     * {@code recordsAfterKill}: once the killed process was gone.
     */
    record CrashRun(int partitions, long records, String failure, Verification.Copies copies, double first,
                    long recordsAtFirst, double killedAt, long recordsAtKill, long recordsAfterKill, double resumedAfter,
                    double completeAfter, String note) {

        boolean ok() {
            return failure == null && copies != null && copies.ok();
        }

        String why() {
            return failure != null ? failure : copies == null ? "not verified" : copies.summary();
        }

        /** Records per second that arrived on the target between the first record and the kill. */
        double rateBeforeKill() {
            return killedAt <= first ? Double.NaN : (recordsAtKill - recordsAtFirst) / (killedAt - first);
        }

        /** The duplicates, in seconds of traffic at the rate before the kill. */
        double secondsCopiedTwice() {
            return copies == null ? Double.NaN : copies.duplicates() / rateBeforeKill();
        }
    }

    final BenchOptions options;
    final List<CopyRun> copies = new ArrayList<>();
    /** Strait's first start, without a class-data archive (round 0); null when not run. */
    CopyRun firstStart;
    /** Seconds bin/strait took to assemble its AOT cache from the first start's recording (Java 25); null if not. */
    Double aotAssemblySeconds;
    final List<LatencyResult> latencies = new ArrayList<>();
    final List<LinksRun> links = new ArrayList<>();
    final List<Step> steps = new ArrayList<>();
    final List<CrashRun> crashes = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    long recordBytes;
    String loadAverageAtStart = "";
    double elapsedSeconds;

    Results(BenchOptions options) {
        this.options = options;
    }
}
