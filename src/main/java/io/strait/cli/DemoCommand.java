package io.strait.cli;

import picocli.CommandLine.Command;

@Command(name = "demo", description = "Run the replication daemon for a topology.")
final class DemoCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("not yet");
    }
}
