package io.dispatchd.server.config;

import java.util.Locale;

/** What a node does with the Kafka topic ({@code --role}). */
public enum KafkaRole {
    /** Takes requests from clients and produces each admitted job to the topic. */
    FRONT,
    /** Consumes jobs from the topic and runs them; opens no request port. */
    WORKER,
    /** Both, in one process. */
    BOTH;

    public boolean produces() {
        return this != WORKER;
    }

    public boolean consumes() {
        return this != FRONT;
    }

    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
