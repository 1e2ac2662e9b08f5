package io.dispatchd.server.admin;

import io.dispatchd.server.config.AckMode;
import io.dispatchd.server.metrics.DispatchMetrics;
import io.dispatchd.server.service.LetterService;
import io.dispatchd.server.service.ServiceRegistry;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard's event streams on embedded channels: what each event carries, and a viewer that does not read. */
class DashboardStreamsTest {

    private final ServiceRegistry services = ServiceRegistry.of(LetterService.builtIns());
    private final Dashboard dashboard = new Dashboard(new DashboardStats(new DispatchMetrics(services, AckMode.ACCEPT),
            services.keys(), () -> Map.of("version", "test")));
    // ids of their own: a channel group holds one channel per id, and embedded channels share one by default
    private final EmbeddedChannel reading = viewer();
    private final EmbeddedChannel stalled = viewer();

    private static EmbeddedChannel viewer() {
        return new EmbeddedChannel(DefaultChannelId.newInstance(), new ChannelInboundHandlerAdapter());
    }

    @AfterEach
    void close() {
        dashboard.stop();
        reading.finishAndReleaseAll();
        stalled.finishAndReleaseAll();
    }

    @Test
    void aStreamStartsWithTheWholeHistoryThenGetsEachSecondsRatesUnlessItsViewerStoppedReading() {
        dashboard.start(reading.eventLoop());
        assertThat(dashboard.openStream(reading.pipeline().firstContext())).isTrue();
        assertThat(dashboard.openStream(stalled.pipeline().firstContext())).isTrue();
        for (EmbeddedChannel ch : new EmbeddedChannel[] {reading, stalled}) {
            assertThat((Object) ch.readOutbound()).isInstanceOf(HttpResponse.class);
            assertThat(event(ch)).startsWith("data: {").contains("\"history\":[").doesNotContain("\"latest\"");
        }

        stalled.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // its socket buffer is full
        tick();

        assertThat(event(reading)).contains("\"latest\":{").doesNotContain("\"history\"");
        assertThat((Object) stalled.readOutbound()).as("nothing held for a viewer that does not read").isNull();

        stalled.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        tick();
        assertThat(event(stalled)).as("it gets the next second once it reads again").contains("\"latest\":{");
    }

    /** A second passes on the timer's loop (reading's); the stalled channel's loop then runs what it was handed. */
    private void tick() {
        reading.advanceTimeBy(1, TimeUnit.SECONDS);
        reading.runScheduledPendingTasks();
        stalled.runPendingTasks();
    }

    private static String event(EmbeddedChannel ch) {
        HttpContent content = ch.readOutbound();
        assertThat(content).isNotNull();
        try {
            return content.content().toString(StandardCharsets.UTF_8);
        } finally {
            content.release();
        }
    }
}
