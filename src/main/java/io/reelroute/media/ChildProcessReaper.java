package io.reelroute.media;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Kills the programs (models, ffprobe) still running when the application context closes. By then Camel's
 * graceful shutdown has let in-flight work finish or given up on it, and work given up on leaves its message
 * undeleted for SQS to deliver again; its programs must not outlive the process.
 */
@Component
public class ChildProcessReaper implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ChildProcessReaper.class);

    @Override
    public void destroy() {
        int killed = ProcessRunner.killAll();
        if (killed > 0) {
            LOG.warn("Stopped {} program(s) whose work was abandoned at shutdown; their messages will be delivered again", killed);
        }
    }
}
