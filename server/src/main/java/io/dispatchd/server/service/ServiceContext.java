package io.dispatchd.server.service;

/** What the server lends a service while it runs a job. */
public interface ServiceContext {

    /** The engine configured by {@code --engine-iterations} and {@code --engine-pause}. */
    Engine engine();
}
