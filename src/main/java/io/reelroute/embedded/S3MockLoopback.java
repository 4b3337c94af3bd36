package io.reelroute.embedded;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * A source of S3Mock's own context: S3Mock adds its plain-HTTP connector with a port and no address, so it
 * would listen on every interface; this keeps it on 127.0.0.1. Deliberately without annotations, so the
 * application's component scan never picks it up.
 */
final class S3MockLoopback implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        InetAddress host;
        try {
            host = InetAddress.getByName(EmbeddedAws.HOST);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        for (Connector connector : factory.getAdditionalTomcatConnectors()) {
            if (connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol) {
                protocol.setAddress(host);
            }
        }
    }
}
