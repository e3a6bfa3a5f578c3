package dev.iothub.emulator.rest;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Time limits of a REST connection, behind the HTTP codec: a request must arrive whole (line, headers and body)
 * within the request timeout, counted from the connection opening or from its first bytes, and a kept-alive
 * connection that sends nothing after an answer is closed after the idle timeout. While a request waits for its answer
 * (a direct method waits for the device) neither applies. A connection over a limit is closed without an answer.
 */
final class RequestDeadlineHandler extends ChannelDuplexHandler {

    private static final System.Logger logger = System.getLogger(RequestDeadlineHandler.class.getName());

    private enum Phase {

        /** Part of a request has arrived, or nothing yet on a new connection. */
        RECEIVING,

        /** Requests received whole wait for their answers. */
        ANSWERING,

        /** Everything was answered and nothing new has arrived. */
        IDLE
    }

    private final Duration requestTimeout;

    private final Duration idleTimeout;

    /** Requests begun whose answer is not written yet (an answer may come before the end of its request: 413). */
    private int unanswered;

    /** Whether a request is under way: bytes of it have arrived, not yet its end. */
    private boolean receiving = true;

    /** Whether the codec passed anything on since the last read completed. */
    private boolean decodedSinceReadComplete;

    private Phase phase;

    private ScheduledFuture<?> deadline;

    RequestDeadlineHandler(Duration requestTimeout, Duration idleTimeout) {
        this.requestTimeout = requestTimeout;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        update(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        this.decodedSinceReadComplete = true;
        if (msg instanceof HttpRequest) {
            this.unanswered++;
            this.receiving = true;
        }
        if (msg instanceof LastHttpContent) {
            this.receiving = false;
        }
        update(ctx);
        ctx.fireChannelRead(msg);
    }

    /** Fired after every read, also when the codec could not decode anything yet, e.g. from half a request line. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!this.decodedSinceReadComplete) {
            this.receiving = true;
            update(ctx);
        }
        this.decodedSinceReadComplete = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && !isInformational(msg)) {
            ChannelPromise answered = promise.unvoid();
            answered.addListener((written) -> {
                this.unanswered--;
                update(ctx);
            });
            ctx.write(msg, answered);
        }
        else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private static boolean isInformational(Object msg) {
        return msg instanceof HttpResponse response
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    private void update(ChannelHandlerContext ctx) {
        Phase now = this.receiving ? Phase.RECEIVING : (this.unanswered > 0) ? Phase.ANSWERING : Phase.IDLE;
        if (now == this.phase || !ctx.channel().isActive()) {
            return;
        }
        this.phase = now;
        cancel();
        if (now == Phase.RECEIVING) {
            this.deadline = schedule(ctx, this.requestTimeout, "no whole request within ");
        }
        else if (now == Phase.IDLE) {
            this.deadline = schedule(ctx, this.idleTimeout, "idle for ");
        }
    }

    private static ScheduledFuture<?> schedule(ChannelHandlerContext ctx, Duration timeout, String reason) {
        return ctx.executor().schedule(() -> {
            logger.log(System.Logger.Level.DEBUG, "Closing REST connection from {0}: {1}{2}",
                    ctx.channel().remoteAddress(), reason, timeout);
            ctx.close();
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (this.deadline != null) {
            this.deadline.cancel(false);
            this.deadline = null;
        }
    }
}
