package dev.iothub.emulator.rest;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpContentException;

/**
 * Aggregates a request and a body of at most a given size into a {@link FullHttpRequest}. A larger one is not read
 * further: it is passed on, without its body, as a request that failed with a {@link TooLongHttpContentException},
 * for the dispatcher to answer like any other; at once when its {@code Content-Length} (also with
 * {@code Expect: 100-continue}) says so, else as soon as that many bytes of a chunked body have arrived.
 */
final class LimitedRequestAggregator extends HttpObjectAggregator {

    LimitedRequestAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
    }

    /** No {@code 100 Continue} nor Netty's own {@code 413} for a body announced too large: it is refused below. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        return isContentLengthInvalid(start, maxContentLength) ? null
                : super.newContinueResponse(start, maxContentLength, pipeline);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        HttpRequest request = (HttpRequest) oversized;
        FullHttpRequest refused = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                request.uri(), Unpooled.EMPTY_BUFFER, request.headers().copy(), EmptyHttpHeaders.INSTANCE);
        refused.setDecoderResult(DecoderResult.failure(new TooLongHttpContentException(
                "The request body is over " + maxContentLength() + " bytes")));
        ctx.fireChannelRead(refused);
    }
}
