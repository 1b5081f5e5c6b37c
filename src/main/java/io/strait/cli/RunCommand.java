package io.strait.cli;

import picocli.CommandLine.Command;

@Command(name = "run", description = "Run the replication daemon for a topology.")
final class RunCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("not yet");
    }
}
