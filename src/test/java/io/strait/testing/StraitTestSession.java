package io.strait.testing;

import io.strait.replication.HerderExitTrap;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * The test JVM's counterpart of {@code StraitCommand.main}: tests run daemons in-process, so the
 * process-wide setup that {@code main} does is done here once, before any test (registered in
 * {@code META-INF/services}).
 */
public final class StraitTestSession implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        HerderExitTrap.install();
    }
}
