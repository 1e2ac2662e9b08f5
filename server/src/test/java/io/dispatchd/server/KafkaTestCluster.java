package io.dispatchd.server;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real one-node Kafka cluster (KRaft, broker and controller in one node) in the test JVM, with
 * share groups, and locks and sessions short enough that a dead worker's jobs come back within seconds. About
 * six seconds to start: one per test class.
 */
final class KafkaTestCluster implements AutoCloseable {

    /** How long a worker holds a job before the broker gives it to another: short, for tests that kill one. */
    static final int LOCK_MS = 3_000;
    /** How long the broker waits for a worker's heartbeat before it gives the worker's partitions to the others. */
    static final int SESSION_MS = 5_000;

    private final KafkaClusterTestKit kit;

    private KafkaTestCluster(KafkaClusterTestKit kit) {
        this.kit = kit;
    }

    static KafkaTestCluster start() throws Exception {
        KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build())
                .setConfigProp("num.partitions", "4")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                .setConfigProp("group.share.min.record.lock.duration.ms", "1000")
                .setConfigProp("group.share.record.lock.duration.ms", String.valueOf(LOCK_MS))
                // a dead worker's partitions go to the others when its session expires: 45 s by default
                .setConfigProp("group.share.min.session.timeout.ms", "1000")
                .setConfigProp("group.share.session.timeout.ms", String.valueOf(SESSION_MS))
                .setConfigProp("group.share.min.heartbeat.interval.ms", "500")
                .setConfigProp("group.share.heartbeat.interval.ms", "1000")
                .build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
        } catch (Exception e) {
            kit.close();
            throw e;
        }
        return new KafkaTestCluster(kit);
    }

    String bootstrap() {
        return kit.bootstrapServers();
    }

    /** Stops the broker; the controller keeps running, so {@link #startBroker} can bring it back. */
    void stopBroker() {
        kit.brokers().values().forEach(b -> {
            b.shutdown();
            b.awaitShutdown();
        });
    }

    void startBroker() {
        kit.brokers().values().forEach(b -> b.startup());
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
