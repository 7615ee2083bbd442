T

    interface T {
      s: string; n: number; b: boolean; z: null; a: any; u: unknown
    }