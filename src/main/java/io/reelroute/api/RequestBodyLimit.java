package io.reelroute.api;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Caps every request body at {@code reelroute.api.max-body-bytes}, first of all filters, so that neither
 * authentication nor a route reads more, and answers 413 {@code {"error": ...}} over it:
 * <ul>
 * <li>a declared Content-Length over the cap at once, without reading the body (the connection then closes);</li>
 * <li>a body of unknown length (chunked) as soon as more than the cap has come: it is read here, at most the cap
 * and one byte, and the request goes on with what was read. Answering here, not from a route, keeps the answer
 * out of the reach of Camel's type converters, which may swallow a failed read and try again.</li>
 * </ul>
 * With a Content-Length within the cap the server reads no further than it, so that body needs no counting.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestBodyLimit extends OncePerRequestFilter {

    private final long max;
    private final ObjectMapper mapper;

    public RequestBodyLimit(ReelRouteProperties properties, ObjectMapper mapper) {
        this.max = properties.api().maxBodyBytes().toBytes();
        this.mapper = mapper;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > max) {
            refuse(response);
            return;
        }
        if (request.getContentLengthLong() < 0) {
            // No body reads nothing; a chunked one is read to one byte past the cap at most.
            byte[] body = request.getInputStream().readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
            if (body.length > max) {
                refuse(response);
                return;
            }
            request = new Read(request, body);
        }
        chain.doFilter(request, response);
    }

    private void refuse(HttpServletResponse response) throws IOException {
        response.setStatus(413);
        response.setContentType("application/json");
        // What is left of the body is not read: the connection closes after the answer.
        response.setHeader("Connection", "close");
        mapper.writeValue(response.getOutputStream(),
                Map.of("error", "the request body is larger than " + max + " bytes (reelroute.api.max-body-bytes)"));
    }

    /** The request with the body this filter read. */
    private static final class Read extends HttpServletRequestWrapper {

        private final ServletInputStream body;

        Read(HttpServletRequest request, byte[] bytes) {
            super(request);
            this.body = new BytesStream(bytes);
        }

        @Override
        public ServletInputStream getInputStream() {
            return body;
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(body, charset));
        }
    }

    private static final class BytesStream extends ServletInputStream {

        private final ByteArrayInputStream in;

        BytesStream(byte[] bytes) {
            this.in = new ByteArrayInputStream(bytes);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] into, int from, int length) {
            return in.read(into, from, length);
        }

        @Override
        public boolean isFinished() {
            return in.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new IllegalStateException("the body was read already; read it blocking");
        }
    }
}
