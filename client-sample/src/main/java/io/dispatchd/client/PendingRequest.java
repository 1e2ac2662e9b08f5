package io.dispatchd.client;

import io.dispatchd.protocol.Ack;
import io.dispatchd.protocol.Request;

import java.util.concurrent.CompletableFuture;

/**
 * What {@link DispatchClient} writes into the pipeline: the request and the future its ack
 * completes. {@link AckMatchingHandler} enqueues the future and passes the request on to the
 * encoder in the same step, so the FIFO order is the wire order even with many writer threads.
 */
record PendingRequest(Request request, CompletableFuture<Ack> ack) {
}
