package io.dispatchd.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests that run a system tool (nc, bash) skip, saying how to install it, where it is missing:
 * {@code mvn verify} needs only a JDK and Maven. CI's {@code .ci/run} installs the tools, so
 * there these tests run.
 */
public final class SystemTools {

    private SystemTools() {
    }

    /** Skips the calling test unless {@code tool} is an executable on the PATH. */
    public static void assumeInstalled(String tool, String install) {
        assumeTrue(onPath(tool), tool + " not found on the PATH: " + install);
    }

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
