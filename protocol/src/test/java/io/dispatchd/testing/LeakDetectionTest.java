package io.dispatchd.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Example;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * The build's leak check itself: a test that drops a buffer unreleased fails, on either engine,
 * and one that releases it passes. The leaking tests are nested classes that only this test runs.
 */
class LeakDetectionTest {

    static final class LeakingJupiterTest {
        @Test
        void dropsABuffer() {
            ByteBuf buf = Unpooled.directBuffer(16); // Netty tracks direct and pooled buffers, not unpooled heap ones
            buf.writeInt(42); // and never released
        }

        @Test
        void releasesItsBuffer() {
            Unpooled.directBuffer(16).writeInt(42).release();
        }
    }

    static final class LeakingProperties {
        @Example
        void dropsABuffer() {
            Unpooled.directBuffer(16).writeInt(42);
        }

        @Example
        void releasesItsBuffer() {
            Unpooled.directBuffer(16).writeInt(42).release();
        }
    }

    @Test
    void aJupiterTestThatLeaksABufferFailsAndOneThatReleasesItPasses() {
        TestExecutionSummary summary = run("junit-jupiter", LeakingJupiterTest.class);

        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getFailures()).singleElement().satisfies(f -> {
            assertThat(f.getTestIdentifier().getDisplayName()).isEqualTo("dropsABuffer()");
            assertThat(f.getException()).hasMessageContaining("Netty reported 1 leak(s) during or before dropsABuffer()")
                    .hasMessageContaining("LEAK: ByteBuf.release() was not called")
                    .hasMessageContaining(LeakingJupiterTest.class.getName() + ".dropsABuffer");
        });
    }

    @Test
    void aJqwikPropertyThatLeaksABufferFailsAndOneThatReleasesItPasses() {
        TestExecutionSummary summary = run("jqwik", LeakingProperties.class);

        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getFailures()).singleElement().satisfies(f -> {
            assertThat(f.getTestIdentifier().getDisplayName()).isEqualTo("dropsABuffer");
            assertThat(f.getException()).hasMessageContaining("LEAK: ByteBuf.release() was not called")
                    .hasMessageContaining(LeakingProperties.class.getName() + ".dropsABuffer");
        });
    }

    private static TestExecutionSummary run(String engine, Class<?> testClass) {
        assumeTrue(LeakReports.enabled(), "run by the build, with the recording leak detector");
        LauncherDiscoveryRequest request = request()
                .selectors(selectClass(testClass))
                .filters(org.junit.platform.launcher.EngineFilter.includeEngines(engine))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        return listener.getSummary();
    }
}
