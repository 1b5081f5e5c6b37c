package io.strait.replication;

import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Kafka Connect's herder asks the process to exit; the trap keeps the process (else this JVM ends here). */
class HerderExitTrapTest {

    @Test
    void anExitAskedFromAHerderThreadDoesNotEndTheProcess() throws InterruptedException {
        HerderExitTrap.install();
        HerderExitTrap.install();
        AtomicBoolean returned = new AtomicBoolean();
        Thread herder = new Thread(() -> {
            Exit.exit(1, "Uncaught exception in herder work thread");
            returned.set(true);
        }, LinkHerder.class.getSimpleName() + "-a->b");
        herder.start();
        herder.join(10_000);
        assertThat(returned).as("Exit.exit returned to the herder thread").isTrue();
    }
}
