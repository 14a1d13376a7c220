"""HTTP plumbing shared by the HTML pages and the API: templates, security headers, body limits."""
