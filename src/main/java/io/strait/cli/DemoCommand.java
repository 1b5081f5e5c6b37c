package io.strait.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code strait demo}: Strait at work between three local Kafka clusters, with nothing installed. */
@Command(name = "demo", description = "Start 3 local Kafka clusters and replicate between them (Ctrl-C stops).")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--duration", converter = PlanCommand.DurationConverter.class,
            description = "Stop after this long, e.g. 60s (default: until Ctrl-C).")
    Duration duration;

    @Option(names = "--report-every", defaultValue = "5s", converter = PlanCommand.DurationConverter.class,
            description = "How often to print the table of links (default: ${DEFAULT-VALUE}).")
    Duration reportEvery;

    @Option(names = "--rate", defaultValue = "20", description = "Records per second produced on east and on west"
            + " (default: ${DEFAULT-VALUE}).")
    int rate;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            Class.forName("org.apache.kafka.common.test.KafkaClusterTestKit");
        } catch (ClassNotFoundException e) {
            throw new UnreachableException("the demo needs Kafka's in-process test brokers, which this installation"
                    + " does not include; run bin/strait demo from a source checkout");
        }
        return new io.strait.demo.Demo(spec.commandLine().getOut(), duration, reportEvery, rate).run();
    }
}
