package io.dispatchd.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a Jupiter test after which Netty reports a leak ({@link LeakReports}). Registered for every
 * test by {@code META-INF/services/org.junit.jupiter.api.extension.Extension}, which the build turns
 * on with {@code junit.jupiter.extensions.autodetection.enabled}.
 */
public final class LeakCheckExtension implements AfterEachCallback {

    @Override
    public void afterEach(ExtensionContext context) {
        LeakReports.assertNoLeaks(context.getDisplayName() + " in " + context.getRequiredTestClass().getName());
    }
}
