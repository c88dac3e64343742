"""The experiment ids the tests expect, by group: the report's figures in its order, then
the course's later material (shared by the tests of the CLI and of the experiments)."""

REPORT_IDS = [
    "fig2_activations",
    "fig3_ols_sgd",
    "ols_reference",
    "fig4_ridge_sgd",
    "fig5_franke_network",
    "fig6_network_grid",
    "fig7_activations_init",
    "randomnet",
    "fig8_mnist_network",
    "fig9_logistic",
    "tuned",
]
COURSE_IDS = ["optimizers", "breast_cancer", "runge", "terrain"]
