/** What to undo when the stack stops, run last-in first-out: the apps, then the services under them. */
export class Teardown {
  private readonly steps: { label: string; run: () => Promise<void> }[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly log: (line: string) => void) {}

  add(label: string, run: () => Promise<void>): void {
    this.steps.push({ label, run });
  }

  get started(): boolean {
    return this.running !== null;
  }

  /** Runs every step once, even when one fails; later calls wait for the first. */
  run(): Promise<void> {
    this.running ??= this.runSteps();
    return this.running;
  }

  private async runSteps(): Promise<void> {
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      this.log(`stopping: ${step.label}`);
      try {
        await step.run();
      } catch (error) {
        this.log(`could not ${step.label}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
