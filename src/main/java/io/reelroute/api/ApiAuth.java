package io.reelroute.api;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/** Who calls the API. With authentication off, every caller is the fixed subject {@code local}. */
@Component("apiAuth")
public class ApiAuth {

    /** The caller's subject. */
    public String subject(Exchange exchange) {
        return "local";
    }

    /** A missing, expired or tampered token: answered 401. */
    public static class Unauthorized extends RuntimeException {
        public Unauthorized(String message) {
            super(message);
        }
    }
}
