/**
 * Benchmarks of valkeyrie against the raw clients and Spring Integration, and the runner that prints the report table (see docs/benchmarks.md).
 */
@NullMarked
package io.valkeyrie.benchmarks;

import org.jspecify.annotations.NullMarked;
