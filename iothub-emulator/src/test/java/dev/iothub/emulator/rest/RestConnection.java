package dev.iothub.emulator.rest;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import dev.iothub.emulator.ServiceEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * A REST connection's real pipeline on an {@link EmbeddedChannel} whose clock is frozen before the connection opens:
 * requests go in as raw bytes, answers come out decoded.
 */
final class RestConnection implements AutoCloseable {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    private final EmbeddedChannel channel;

    private final EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder(),
            new HttpObjectAggregator(2 * RestDispatcher.MAX_BODY_BYTES));

    private RestConnection(EmbeddedChannel channel) {
        this.channel = channel;
    }

    /** A connection whose routes run on the given executor, e.g. {@code Runnable::run} to run them at once. */
    static RestConnection open(RestRouter router, Executor executor) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        ServiceRequestGuard guard = new ServiceRequestGuard(new ServiceEndpoint.Access("localhost", Map.of(), false,
                Set.of("localhost"), Clock.systemUTC()));
        channel.pipeline().addLast(ServiceApiServer.pipeline(null, router, guard, executor, REQUEST_TIMEOUT,
                IDLE_TIMEOUT));
        channel.pipeline().fireChannelActive();
        return new RestConnection(channel);
    }

    /** Sends bytes as the client would, e.g. part of a request. */
    RestConnection send(String ascii) {
        ByteBuf bytes = Unpooled.copiedBuffer(ascii, StandardCharsets.ISO_8859_1);
        this.channel.writeInbound(bytes);
        return this;
    }

    /** Lets time pass and runs what became due. */
    RestConnection advance(Duration time) {
        this.channel.advanceTimeBy(time.toNanos(), TimeUnit.NANOSECONDS);
        this.channel.runScheduledPendingTasks();
        return this;
    }

    boolean isOpen() {
        return this.channel.isOpen();
    }

    /** The answers written since the last call, in order. */
    List<FullHttpResponse> answers() {
        this.channel.runPendingTasks();
        ByteBuf written;
        while ((written = this.channel.readOutbound()) != null) {
            this.client.writeInbound(written);
        }
        List<FullHttpResponse> answers = new ArrayList<>();
        FullHttpResponse answer;
        while ((answer = this.client.readInbound()) != null) {
            answers.add(answer);
        }
        return answers;
    }

    @Override
    public void close() {
        this.channel.finishAndReleaseAll();
        this.client.finishAndReleaseAll();
    }
}
