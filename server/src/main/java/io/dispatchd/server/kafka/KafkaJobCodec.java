package io.dispatchd.server.kafka;

import io.dispatchd.server.executor.Job;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A job as a Kafka record value: {@code service qual} in UTF-8, the request line as the client
 * sent it, normalised. Readable with {@code kafka-console-consumer}, and any producer can submit
 * a job by writing one. No key: the producer spreads jobs over the partitions.
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
        String line = new String(value, StandardCharsets.UTF_8);
        int space = line.indexOf(' ');
        if (space <= 0 || space == line.length() - 1) {
            return null;
        }
        // lower case, as the pipeline makes it: a job written by another producer may say "A 88"
        return new Job(id, line.substring(0, space).toLowerCase(Locale.ROOT), line.substring(space + 1), attempt);
    }
}
