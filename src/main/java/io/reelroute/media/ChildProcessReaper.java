package io.reelroute.media;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;

/**
 * Kills the programs (models, ffprobe) still running when the application context closes. By then Camel's
 * graceful shutdown has let in-flight work finish or given up on it, and work given up on leaves its message
 * undeleted for SQS to deliver again; its programs must not outlive the process. A process that dies without
 * closing (SIGKILL, the OOM killer) leaves that to the kernel: with reelroute.media.die-with-parent, programs are
 * started with a parent-death signal ({@link ProcessRunner#dieWithParent}).
 */
@Component
public class ChildProcessReaper implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ChildProcessReaper.class);

    public ChildProcessReaper(ReelRouteProperties properties) {
        boolean wanted = properties.media().dieWithParent();
        if (ProcessRunner.dieWithParent(wanted)) {
            LOG.info("Programs are started with setpriv --pdeathsig KILL: they die with this process");
        } else if (wanted) {
            LOG.warn("setpriv (util-linux) is not on the PATH: programs of this process that is killed (kill -9, out of "
                    + "memory) run on to their end. Install util-linux, or set reelroute.media.die-with-parent=false");
        }
    }

    @Override
    public void destroy() {
        int killed = ProcessRunner.killAll();
        if (killed > 0) {
            LOG.warn("Stopped {} program(s) whose work was abandoned at shutdown; their messages will be delivered again", killed);
        }
    }
}
