package io.strait.bench;

import java.util.ArrayList;
import java.util.List;

/** Everything one benchmark run measured, for the report. */
final class Results {

    /** One replicator copying the loaded source topic once. Times in seconds since launch. */
    record CopyRun(Variant variant, int partitions, int round, String failure, Verification verification,
                   double first, long recordsAtFirst, double last, long records, long bytes, long peakRssKib,
                   double cpuSeconds, double brokerCpuSeconds, String note) {

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
    }

    record LatencyResult(Variant variant, String failure, Verification verification, LatencyRun.Result latency,
                         long peakRssKib) {
        boolean ok() {
            return failure == null && verification != null && verification.ok();
        }

        String why() {
            return failure != null ? failure : verification == null ? "not verified" : verification.summary();
        }
    }

    record LinksRun(int links, String failure, List<Verification> verifications, double allFirst, double allLast,
                    long peakRssKib, long rssKib, double cpuSeconds, String note) {
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

    final BenchOptions options;
    final List<CopyRun> copies = new ArrayList<>();
    final List<LatencyResult> latencies = new ArrayList<>();
    final List<LinksRun> links = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    long recordBytes;
    String loadAverageAtStart = "";
    double elapsedSeconds;

    Results(BenchOptions options) {
        this.options = options;
    }
}
