"""The model layer: consumer arrays, mechanism components and the market that runs them."""
