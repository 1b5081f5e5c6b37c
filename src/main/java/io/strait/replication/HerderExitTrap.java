package io.strait.replication;

import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Connect's herder calls {@code Exit.exit(1)} when its thread meets an uncaught error
 * ({@code DistributedHerder.run}), which would end every link of the daemon. With this trap the
 * process stays and only that link is rebuilt (its replicator sees the herder's thread ended); an
 * exit asked from any other thread exits as before. Process-wide: installed once, by {@code main}.
 */
public final class HerderExitTrap {

    private static final Logger log = LoggerFactory.getLogger(HerderExitTrap.class);
    private static boolean installed;

    private HerderExitTrap() {
    }

    /** Sets Kafka's exit procedure (Kafka's {@link Exit#setExitProcedure}); a second call does nothing. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        Exit.setExitProcedure((code, message) -> {
            String thread = Thread.currentThread().getName();
            if (thread.startsWith(LinkHerder.class.getSimpleName() + "-")) {
                log.error("Kafka Connect asked to exit ({}) from {}; only that link is rebuilt", code, thread);
                return;
            }
            System.exit(code);
        });
    }
}
