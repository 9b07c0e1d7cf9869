package io.valkeyrie.sample;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/leader}: which instance runs the {@link LeaderJob}.
 */
@RestController
class LeaderController {

	private final LeaderJob job;

	LeaderController(LeaderJob job) {
		this.job = job;
	}

	@GetMapping("/api/leader")
	LeaderJob.LeaderStatus leader() {
		return this.job.status();
	}

}
