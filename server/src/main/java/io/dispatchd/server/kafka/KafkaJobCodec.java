package io.dispatchd.server.kafka;

import io.dispatchd.protocol.Request;
import io.dispatchd.protocol.RequestParser;
import io.dispatchd.server.executor.Job;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;

/**
 * A job as a Kafka record value: {@code service qual} in UTF-8, the request line as the client
 * sent it, normalised; read back by the protocol's {@link RequestParser}. Readable with
 * {@code kafka-console-consumer}, and any producer can submit a job by writing one. No key: the
 * producer spreads jobs over the partitions.
 */
final class KafkaJobCodec {

    private KafkaJobCodec() {
    }

    static byte[] encode(Job job) {
        return (job.service() + ' ' + job.qual()).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The job in a record value, with a node-local {@code id} and the delivery as its attempt;
     * {@code null} for a value that is no job (written by something else).
     */
    static Job decode(byte[] value, long id, int attempt) {
        if (value == null) {
            return null;
        }
        // the protocol's own parser: a record from another producer passes the checks a client's line does
        if (!(RequestParser.parse(Unpooled.wrappedBuffer(value)) instanceof Request r)) {
            return null;
        }
        return new Job(id, r.service(), r.qual(), attempt);
    }
}
