package io.reelroute.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.apache.camel.CamelExecutionException;
import org.apache.camel.language.bean.RuntimeBeanExpressionException;
import org.junit.jupiter.api.Test;

/** The error noted on a job is the one the hop's bean threw, not the wrapper Camel puts around it. */
class JobFailuresTest {

    @Test
    void camelsWrappersAroundABeansErrorAreTakenOff() {
        IOException storeDown = new IOException("Unable to execute HTTP request: Connection refused");
        Throwable wrapped = new RuntimeBeanExpressionException(null, "jobSources", "download(${body})",
                new CamelExecutionException("exchange failed", null, storeDown));

        assertThat(JobFailures.unwrapped(wrapped)).isSameAs(storeDown);
        assertThat(JobFailures.unwrapped(storeDown)).isSameAs(storeDown);
        IllegalStateException plain = new IllegalStateException("no cause");
        assertThat(JobFailures.unwrapped(plain)).isSameAs(plain);
    }
}
