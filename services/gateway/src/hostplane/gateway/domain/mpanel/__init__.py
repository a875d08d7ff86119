"""mPanel's rules: who may do what, its tokens, and how a job's failure is answered."""
