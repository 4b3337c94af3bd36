package io.reelroute.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Says at start where the API and the management port (health, metrics, the developer console) listen, and, when
 * only this machine can reach them, how to open them (RunModeResolver decides the addresses).
 */
@Component
public class ListenAddresses implements ApplicationListener<WebServerInitializedEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(ListenAddresses.class);
    private static final String MANAGEMENT = "management";

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        Environment env = event.getApplicationContext().getEnvironment();
        boolean management = MANAGEMENT.equals(event.getApplicationContext().getServerNamespace());
        String address = env.getProperty(management ? "management.server.address" : "server.address");
        String where = (address == null || address.isBlank() ? "every interface" : address) + ", port "
                + event.getWebServer().getPort();
        if (management) {
            LOG.info("Health, metrics and the other actuator endpoints listen on {} (not on the API's port)", where);
        } else if (RunModeResolver.LOOPBACK.equals(address) && env.getProperty(RunModeResolver.BIND_PROPERTY, "").isBlank()) {
            LOG.info("The API listens on {}: only this machine can reach it, as fits authentication being off (every "
                    + "caller is the local user). To open it, set {}=0.0.0.0 (REELROUTE_API_BIND_ADDRESS), "
                    + "preferably with {}=true.", where, RunModeResolver.BIND_PROPERTY, RunModeResolver.AUTH_PROPERTY);
        } else {
            LOG.info("The API listens on {}", where);
        }
    }
}
